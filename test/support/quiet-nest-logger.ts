import { Logger } from '@nestjs/common';

// Unit specs exercise services directly; their audit lines are not what the specs prove.
Logger.overrideLogger(false);
