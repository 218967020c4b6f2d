import type { AppConfig } from '../../core/config/app-config';
import { LogShipper } from '../../core/logging/log-shipper';
import { LogRepository } from './log.repository';

/**
 * The in-app shipper for local runs and tests (EKS ships stdout through Fluent Bit instead), or
 * undefined when it is off. It has its own OpenSearch client: it exists before the Nest app does.
 */
export function createLogShipper(config: Pick<AppConfig, 'openSearch'>): LogShipper | undefined {
  const { shipperEnabled, url, shipper } = config.openSearch;
  if (!shipperEnabled || !url) return undefined;
  return new LogShipper(LogRepository.fromConfig(config), shipper);
}
