import {
  Inject,
  Injectable,
  UnauthorizedException,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { KeyRing, decoyHash, issueToken, verifyPassword, type IssuedToken } from '@casegrid/auth';
import {
  CASEGRID_CONFIG,
  RATE_LIMITER,
  enforceRate,
  type CasegridConfig,
  type RateLimiter,
} from '@casegrid/platform';
import {
  PERSONAL_DATA_KEYS,
  ReferencePublisher,
  serviceRuntime,
  type PersonalDataKeys,
  type ServiceRuntime,
} from '@casegrid/runtime';
import { ensureAdministrator, readSeed, seedOrganisation } from './identity.seed';
import { OrganisationRepository, principalOf } from './organisation.repository';
import { loadOrRotateSigningKeys } from './signing-keys.store';

const INVALID_CREDENTIALS = 'invalid username or password';
const ROTATION_CHECK_MS = 6 * 3_600_000;

/**
 * The embedded issuer: seeds the organisation and the administrator, keeps the signing
 * keys in the process's key ring, and signs in users. With an external OIDC provider
 * (AUTH_MODE=oidc) none of this runs and login answers 404.
 */
@Injectable()
export class IdentityService implements OnModuleInit, OnModuleDestroy {
  /** Publishes every change to the organisation (intake owns reference data). */
  readonly publisher: ReferencePublisher;
  private rotation: NodeJS.Timeout | undefined;

  constructor(
    @Inject(serviceRuntime('intake')) private readonly runtime: ServiceRuntime,
    @Inject(CASEGRID_CONFIG) private readonly config: CasegridConfig,
    @Inject(PERSONAL_DATA_KEYS) private readonly keys: PersonalDataKeys,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    private readonly keyRing: KeyRing,
    readonly repository: OrganisationRepository,
  ) {
    this.publisher = new ReferencePublisher(runtime);
  }

  get issuesTokens(): boolean {
    return this.config.auth.mode === 'embedded';
  }

  async onModuleInit(): Promise<void> {
    const seed = readSeed();
    await seedOrganisation(this.repository, this.publisher, seed, {
      demoUsers: this.config.auth.demoUsers,
    });
    if (!this.issuesTokens) return;
    await ensureAdministrator(
      this.repository,
      this.publisher,
      seed,
      this.config.auth.adminPassword,
    );
    await this.refreshSigningKeys();
    // Keys rotate while the process runs (every 30 days; checked every 6 hours), and a key
    // another instance created is picked up the first time one of its tokens arrives.
    this.keyRing.reloadWith(() => this.refreshSigningKeys());
    this.rotation = setInterval(
      () => void this.refreshSigningKeys().catch(() => undefined),
      ROTATION_CHECK_MS,
    );
    this.rotation.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.rotation);
  }

  async refreshSigningKeys(): Promise<void> {
    this.keyRing.replace(
      await loadOrRotateSigningKeys(
        this.runtime.db.pool,
        this.runtime.service,
        this.keys.kek,
        new Date(),
        this.config.auth.tokenTtlSeconds,
      ),
    );
  }

  /**
   * Brute force is bounded twice: attempts per client address, and failures per username
   * from anywhere (a blocked username is refused before its hash is computed). Unknown
   * usernames cost the same scrypt as known ones, so timing does not tell them apart.
   */
  async login(username: string, password: string, address: string): Promise<IssuedToken> {
    const { loginPerAddress, loginFailuresPerUser } = this.config.security.rateLimits;
    await enforceRate(this.limiter, `login:address:${address}`, loginPerAddress, {
      message: 'Too many sign-in attempts from this address; retry later.',
    });
    const accountKey = `login:failures:${username.toLowerCase()}`;
    await enforceRate(this.limiter, accountKey, loginFailuresPerUser, {
      peek: true,
      message: 'Too many failed sign-ins for this user; retry later.',
    });
    const user = await this.repository.credentials(username);
    const hash = user?.passwordHash && !user.disabled ? user.passwordHash : await decoyHash();
    const valid = (await verifyPassword(password, hash)) && user !== undefined && !user.disabled;
    if (!valid || !user) {
      await this.limiter.consume(accountKey, loginFailuresPerUser);
      throw new UnauthorizedException(INVALID_CREDENTIALS);
    }
    // Security time is real time: a frozen business clock (CASEGRID_NOW) must not mint
    // tokens that are already expired, or valid for ever.
    return issueToken(this.keyRing, this.config.auth, principalOf(user), new Date());
  }
}
