/** `node --import <this file>`: records the packages a process imports (import-trace-hooks.ts). */
import { register } from 'node:module';

register('./import-trace-hooks.js', import.meta.url);
