import 'reflect-metadata';
import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { isRole, ROLES } from './core/auth/roles';
import { AppConfig } from './core/config/app-config';
import { ConfigModule } from './core/config/config.module';
import { ConfigValidationError } from './core/config/environment.schema';
import { buildMongoOptions } from './core/config/mongo-options';
import { SchemaSetupModule } from './core/database/schema-setup';
import { DomainError } from './core/errors/domain.error';
import { INSTANT_PATTERN } from './core/http/field-rules';
import type { RequestContext } from './core/http/request-context';
import { AuditModule } from './modules/audit/audit.module';
import { AuditService } from './modules/audit/audit.service';
import { ApiTokensService } from './modules/identity/api-tokens.service';
import { TOKEN_NAME_MAX_LENGTH, TOKEN_NAME_PATTERN } from './modules/identity/dto/token.dto';
import { IdentityModule } from './modules/identity/identity.module';

const USAGE = `Usage (against the database in MONGODB_URI, with the service's environment):
  node dist/cli.js tokens create --name <name> --role <${ROLES.join('|')}> [--expires-at <ISO 8601>]
  node dist/cli.js tokens revoke --id <token id>
Without --expires-at a token lives API_TOKEN_MAX_LIFETIME_DAYS (also the longest allowed); revoking
a token revokes the tokens it made. The secret of a new token is printed once, on stdout; everything else goes to stderr.`;

@Module({})
class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { uri, ...mongoOptions } = buildMongoOptions(config.mongo);
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        MongooseModule.forRoot(uri as string, mongoOptions),
        SchemaSetupModule,
        AuditModule,
        IdentityModule,
      ],
    };
  }
}

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      'expires-at': { type: 'string' },
      id: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [group, command] = positionals;
  if (values.help || group !== 'tokens' || !['create', 'revoke'].includes(command ?? ''))
    fail(USAGE, values.help ? 0 : 64);

  let config: AppConfig;
  try {
    // The CLI is the way in when the API is locked out: it never needs the bootstrap token.
    config = AppConfig.fromEnvironment({ ...process.env, ADMIN_TOKEN_ENABLED: 'false' });
  } catch (error) {
    if (error instanceof ConfigValidationError) fail(error.message, 78);
    throw error;
  }
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: ['error'],
  });
  // Whoever can run this has the database credentials: the audit trail names the host.
  const ctx: RequestContext = {
    requestId: `cli-${randomUUID()}`,
    actor: `cli@${hostname()}`,
    identity: { kind: 'cli', id: 'cli', name: `cli@${hostname()}`, role: 'admin' },
  };
  try {
    const tokens = app.get(ApiTokensService);
    if (command === 'create') {
      // The API's rules (CreateTokenDto), so a token made here could also have been made there.
      const name = values.name;
      if (!name || name.length > TOKEN_NAME_MAX_LENGTH || !TOKEN_NAME_PATTERN.test(name))
        fail(
          `--name is required: ASCII letters, digits, space, . _ @ -, starting with a letter or digit; up to ${TOKEN_NAME_MAX_LENGTH}\n\n${USAGE}`,
          64,
        );
      if (!isRole(values.role)) fail(`--role must be one of ${ROLES.join(', ')}\n\n${USAGE}`, 64);
      // As the API reads CreateTokenDto.expiresAt: the instant pattern, then the date it names.
      const expiry = values['expires-at'];
      const expiresAt = expiry === undefined ? undefined : new Date(expiry);
      if (
        expiry !== undefined &&
        (!INSTANT_PATTERN.test(expiry) || Number.isNaN(expiresAt?.getTime()))
      )
        fail('--expires-at must be an ISO 8601 date-time with Z or an offset', 64);
      const { token, secret } = await tokens.create({ name, role: values.role, expiresAt }, ctx);
      process.stderr.write(
        `created token ${token._id.toHexString()} "${token.name}" (${token.role}, expires ${token.expiresAt?.toISOString()}); store the secret now, it is not shown again:\n`,
      );
      process.stdout.write(`${secret}\n`);
    } else {
      if (!values.id) fail(`--id is required\n\n${USAGE}`, 64);
      await tokens.revoke(values.id, ctx);
      process.stderr.write(`revoked token ${values.id}\n`);
    }
    await app.get(AuditService).drain();
  } catch (error) {
    if (error instanceof DomainError) fail(error.message, 1);
    throw error;
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
