import { main } from '@casegrid/runtime';
import { ALL_SERVICES } from './all-services';

// The embedded default: all five services in one process (`npm start`).
main(ALL_SERVICES);
