/**
 * Moves staging labels to a new secret version, as Alibaba KMS (ACSCurrent/ACSPrevious) and Huawei
 * CSMS (SYSCURRENT/SYSPREVIOUS) do: the versions that had `stages` lose them, and when the current
 * label moves, the version that had it takes the previous label (from whichever version had that).
 */
export function moveStages(versions: Iterable<{ stages: string[] }>, stages: readonly string[], current: string, previous: string): void {
  for (const v of versions) {
    const hadCurrent = v.stages.includes(current);
    v.stages = v.stages.filter((s) => !stages.includes(s));
    if (stages.includes(current)) {
      v.stages = v.stages.filter((s) => s !== previous);
      if (hadCurrent) v.stages.push(previous);
    }
  }
}
