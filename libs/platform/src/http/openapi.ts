import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { REFUSALS } from '@casegrid/kernel';

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
  const build = (): OpenAPIObject => withProblems(SwaggerModule.createDocument(app, config));
  SwaggerModule.setup(OPENAPI_UI_PATH, app, build, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    useGlobalPrefix: false,
  });
}

/**
 * The error body every route may answer with (API.md, Conventions: RFC 9457), and the
 * refusal codes a 409's `code` takes, each with what it means (`REFUSALS`).
 */
function withProblems(document: OpenAPIObject): OpenAPIObject {
  const refusals = Object.entries(REFUSALS);
  return {
    ...document,
    components: {
      ...document.components,
      schemas: {
        ...document.components?.schemas,
        Refusal: {
          type: 'string',
          enum: refusals.map(([code]) => code),
          description: `Which rule refused the request (a 409). Codes are added, never renamed:\n\n${refusals
            .map(([code, meaning]) => `- \`${code}\`: ${meaning}`)
            .join('\n')}`,
        },
        Problem: {
          type: 'object',
          description: 'application/problem+json (RFC 9457).',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string', format: 'uri' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string', description: 'Why, in words, for the case in hand.' },
            errors: {
              type: 'array',
              description: 'A 400: every field at fault.',
              items: {
                type: 'object',
                required: ['field', 'message'],
                properties: { field: { type: 'string' }, message: { type: 'string' } },
              },
            },
            code: { $ref: '#/components/schemas/Refusal' },
          },
        },
      },
    },
  };
}
