// Names shared by the stacks, the chart values they emit and the tests that compare both.

/** Ingress classes of the two ingress-nginx controllers; the chart's Ingresses use them. */
export const INGRESS_CLASSES = { public: 'nginx', internal: 'nginx-internal' } as const;

/** Namespace of both ingress-nginx controllers (the chart's default `networkPolicy.apiFrom`). */
export const INGRESS_NAMESPACE = 'ingress-nginx';

/** Helm release of the public controller; its Service is `<release>-controller`. */
export const PUBLIC_INGRESS_RELEASE = 'ingress-nginx';
export const INTERNAL_INGRESS_RELEASE = 'ingress-nginx-internal';

/** The chart's full name for a release (`<release>-sponsored-agents`, see _helpers.tpl). */
export function chartFullName(releaseName: string): string {
  return releaseName.includes('sponsored-agents') ? releaseName : `${releaseName}-sponsored-agents`;
}

/** The EKS Pod Identity agent's link-local address, which pods must reach (TCP 80). */
export const POD_IDENTITY_AGENT_CIDR = '169.254.170.23/32';

/** The OpenSearch domain's name: fixed, so roles can name its ARN without a reference to it. */
export function searchDomainName(config: { envName: string }): string {
  return `${config.envName}-logs`;
}

export function searchDomainArn(config: {
  envName: string;
  region: string;
  account: string;
}): string {
  return `arn:aws:es:${config.region}:${config.account}:domain/${searchDomainName(config)}`;
}
