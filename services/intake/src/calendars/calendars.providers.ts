import type { Provider } from '@nestjs/common';
import { ReferencePublisher, serviceRuntime, type ServiceRuntime } from '@casegrid/runtime';
import { CalendarRepository } from './calendar.repository';
import { CalendarsSeeder } from './calendars.seeder';

/** The calendars' adapters, wired by IntakeModule: the table lives in intake's schema. */
export const calendarProviders: Provider[] = [
  {
    provide: CalendarRepository,
    inject: [serviceRuntime('intake')],
    useFactory: (runtime: ServiceRuntime) =>
      new CalendarRepository(runtime.db.pool, runtime.service, new ReferencePublisher(runtime)),
  },
  CalendarsSeeder,
];
