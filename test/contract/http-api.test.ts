import { devClouds } from '../../emulator/clouds.js';
import { httpApiContract } from './http-api.js';

for (const cloud of devClouds()) httpApiContract(cloud.id);
