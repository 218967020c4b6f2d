import { environments } from '../config';
import { buildApp, newApp } from '../lib/app';

// One app holds every environment's stacks (`cdk deploy 'SponsoredAgents-staging-*'`), so one
// synthesis checks them all.
const app = newApp();
buildApp(app, environments);
app.synth();
