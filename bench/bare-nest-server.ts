/**
 * The framework's floor: NestJS on Fastify as `nest new` would make it, with one controller
 * answering `GET /health/live` as the service does, and nothing else (no hooks, no logging, no
 * guard, no plugins). Its own process, like the service; prints its port on stdout once listening.
 * The overhead rounds measure it beside raw node:http and the service, so a run shows how much of
 * the service's cost is the framework's and how much the service's own per-request work.
 * (Decorators applied as functions: Node runs this file by stripping types, not compiling it.)
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

class HealthController {
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
Controller('health')(HealthController);
Get('live')(
  HealthController.prototype,
  'live',
  Object.getOwnPropertyDescriptor(HealthController.prototype, 'live') as PropertyDescriptor,
);

class BareModule {}
Module({ controllers: [HealthController] })(BareModule);

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen({ port: 0, host: process.env.HOST ?? '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${address.port}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
