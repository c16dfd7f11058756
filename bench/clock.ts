/**
 * A simulated clock that runs ahead of the wall clock by a settable offset. The emulators see
 * wall time (so signatures verify); regcred's cache, retry and providers see simulated time.
 */
export class SimClock {
  offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;
  readonly shift = (): number => this.offsetMs;
}
