import { Module, type DynamicModule } from '@nestjs/common';
import { CASEGRID_CLOCK, CasegridClock } from '../time/casegrid-clock';
import { CASEGRID_CONFIG, type CasegridConfig } from './casegrid.config';

/** The process's business clock as configured (`CASEGRID_NOW`, `CASEGRID_CLOCK_FILE`). */
export const businessClockOf = (config: CasegridConfig): CasegridClock =>
  new CasegridClock(config.fixedNow, Date.now, config.clockFile);

/**
 * Makes the configuration loaded at boot injectable everywhere as `CASEGRID_CONFIG`. It takes
 * the loaded value rather than reading the environment itself: config is read once, in main.
 * The business clock (`CASEGRID_CLOCK`) starts here, at `CASEGRID_NOW` when it is set —
 * or is the one the process made before Nest (the relays' watermarks read it too).
 */
@Module({})
export class CasegridConfigModule {
  static forRoot(config: CasegridConfig, clock = businessClockOf(config)): DynamicModule {
    return {
      module: CasegridConfigModule,
      global: true,
      providers: [
        { provide: CASEGRID_CONFIG, useValue: config },
        { provide: CASEGRID_CLOCK, useValue: clock },
      ],
      exports: [CASEGRID_CONFIG, CASEGRID_CLOCK],
    };
  }
}
