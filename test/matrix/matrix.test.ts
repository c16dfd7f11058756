import { devClouds } from '../../dev/clouds.js';
import { httpMatrix } from './http.js';
import { refreshMatrix } from './refresh.js';

for (const cloud of devClouds()) {
  httpMatrix(cloud.id);
  refreshMatrix(cloud.id);
}
