import { Body, Controller, Get, HttpCode, Ip, NotFoundException, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { KeyRing, Caller, type IssuedToken } from '@casegrid/auth';
import { caseVisibility, type Principal } from '@casegrid/identity';
import { Public } from '@casegrid/platform';
import { LoginDto } from './identity.dto';
import { IdentityService } from './identity.service';

@ApiTags('identity')
@Controller()
export class IdentityController {
  constructor(
    private readonly identity: IdentityService,
    private readonly keyRing: KeyRing,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in (embedded issuer): a short-lived bearer token.' })
  async login(@Body() body: LoginDto, @Ip() address: string): Promise<IssuedToken> {
    if (!this.identity.issuesTokens)
      throw new NotFoundException('sign in at the identity provider');
    return this.identity.login(body.username, body.password, address);
  }

  /** The embedded issuer's public keys: other processes verify tokens against them. */
  @Public()
  @Get('auth/jwks')
  @ApiOperation({ summary: 'JSON Web Key Set of the embedded issuer.' })
  jwks(): { keys: object[] } {
    if (!this.identity.issuesTokens) throw new NotFoundException('no embedded issuer');
    return this.keyRing.jwks();
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in user, roles, department and jurisdiction.' })
  async me(@Caller() caller: Principal) {
    const [department, region] = await Promise.all([
      this.identity.repository.department(caller.departmentId),
      this.identity.repository.region(caller.regionCode),
    ]);
    return {
      user: {
        id: caller.userId,
        username: caller.username,
        name: caller.name,
        departmentId: caller.departmentId,
        roles: caller.roles,
      },
      roles: caller.roles,
      department: department ?? null,
      jurisdiction: {
        regionCode: caller.regionCode,
        regionName: region?.name ?? null,
        tier: region?.tier ?? null,
        // The cases this user sees: regions starting with these prefixes, or held by these departments.
        cases: caseVisibility(caller),
      },
    };
  }
}
