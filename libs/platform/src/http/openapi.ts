import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export interface OpenApiInfo {
  readonly title: string;
  readonly description: string;
  readonly version: string;
}

export const OPENAPI_UI_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/openapi.json';

/**
 * Serves the Swagger UI at /api/docs and the document at /api/openapi.json (API.md,
 * Operations). The document is built on first request, after every module has registered
 * its routes, and then cached by the Swagger module.
 */
export function setupOpenApi(app: INestApplication, info: OpenApiInfo): void {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version)
    .addBearerAuth()
    .build();
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    useGlobalPrefix: false,
  });
}
