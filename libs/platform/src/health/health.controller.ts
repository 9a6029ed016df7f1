import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ReadinessRegistry, type ReadinessReport } from './readiness.registry';
import { Public } from '../auth/public.decorator';

/** The part of the HTTP response this controller touches; keeps it adapter-neutral. */
interface StatusSetter {
  status(code: number): unknown;
}

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessRegistry) {}

  /** Answers while the event loop turns; it checks nothing else, so a restart never cures it. */
  @Get('live')
  @ApiOkResponse({ description: 'The process is running.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({ description: 'Every registered dependency check passed.' })
  @ApiServiceUnavailableResponse({
    description: 'A check failed or timed out; `failures` says why.',
  })
  async ready(@Res({ passthrough: true }) response: StatusSetter): Promise<ReadinessReport> {
    const report = await this.readiness.report();
    if (report.status !== 'ok') response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
