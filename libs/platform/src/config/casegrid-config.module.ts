import { Module, type DynamicModule } from '@nestjs/common';
import { CASEGRID_CONFIG, type CasegridConfig } from './casegrid.config';

/**
 * Makes the configuration loaded at boot injectable everywhere as `CASEGRID_CONFIG`. It takes
 * the loaded value rather than reading the environment itself: config is read once, in main.
 */
@Module({})
export class CasegridConfigModule {
  static forRoot(config: CasegridConfig): DynamicModule {
    return {
      module: CasegridConfigModule,
      global: true,
      providers: [{ provide: CASEGRID_CONFIG, useValue: config }],
      exports: [CASEGRID_CONFIG],
    };
  }
}
