import { Global, Module } from '@nestjs/common';
import { PublicResponder } from '../http/fast-path/public-responder';
import { PublicCache } from './public-cache';

/** The public cache and the responder that sends what it holds, for every module. */
@Global()
@Module({ providers: [PublicCache, PublicResponder], exports: [PublicCache, PublicResponder] })
export class PublicCacheModule {}
