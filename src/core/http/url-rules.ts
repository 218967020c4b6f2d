/**
 * Links we store and serve: absolute http(s) URLs with a host name or IPv4 address, an optional
 * port, then path, query and fragment of RFC 3986 characters (`%` only as a `%XX` escape). No
 * `javascript:`, relative URLs, user info or spaces. One regular expression, so validation and
 * the OpenAPI pattern are the same rule (and every match is also a valid `uri`).
 */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const PCHAR = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})";
export const HTTP_URL_PATTERN = new RegExp(
  `^https?://${LABEL}(?:\\.${LABEL})*(?::\\d{1,5})?` +
    `(?:/(?:${PCHAR}|/)*)?(?:\\?(?:${PCHAR}|[/?])*)?(?:#(?:${PCHAR}|[/?])*)?$`,
);
export const HTTP_URL_RULE = '$property must be a URL address (absolute, http or https)';

/** Addresses as we accept them: a dot-atom local part and a host name with a dot. */
export const EMAIL_PATTERN = new RegExp(
  `^[A-Za-z0-9!#$%&'*+/=?^_\`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_\`{|}~-]+)*@${LABEL}(?:\\.${LABEL})+$`,
);
