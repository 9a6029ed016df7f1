import { Injectable, type OnModuleInit } from '@nestjs/common';
import { readSeed, seedRoutingRules } from '../identity/identity.seed';
import { RoutingRulesRepository } from './routing-rules.repository';

/** Seeds the routing table on first start (before the HTTP server listens). */
@Injectable()
export class RoutingRulesSeeder implements OnModuleInit {
  constructor(private readonly repository: RoutingRulesRepository) {}

  async onModuleInit(): Promise<void> {
    await seedRoutingRules(this.repository, readSeed());
  }
}
