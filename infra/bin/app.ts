import * as cdk from 'aws-cdk-lib';
import { environments } from '../config';
import { buildApp } from '../lib/app';

// One app holds every environment's stacks (`cdk deploy 'SponsoredAgents-staging-*'`), so one
// synthesis checks them all.
const app = new cdk.App();
buildApp(app, environments);
app.synth();
