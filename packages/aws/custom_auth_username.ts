/**
 * The query string that carries AWS IoT custom-authorizer credentials.
 *
 * @module
 */

/** What an AWS IoT custom authorizer needs from the client. */
export interface CustomAuthCredentials {
  /** The part of the username before `?`, passed to the authorizer as it is. */
  username?: string;
  /** `x-amz-customauthorizer-name`; leave out to use the endpoint's default authorizer. */
  authorizerName?: string;
  /** Name of the token parameter, as configured on the authorizer (token signing). */
  tokenKeyName?: string;
  /** The token itself. */
  tokenValue?: string;
  /**
   * `x-amz-customauthorizer-signature`: base64 RSA-SHA256 signature of the token. It is
   * URL-encoded here unless it already contains `%` (then it is taken as encoded).
   */
  tokenSignature?: string;
}

/**
 * The authorizer parameters in the order the AWS SDK sends them (name, token, signature),
 * each URL-encoded, joined by `&`; empty when there are none.
 */
export function customAuthQuery(credentials: CustomAuthCredentials): string {
  const { authorizerName, tokenKeyName, tokenValue, tokenSignature } = credentials;
  const tokenFields = [tokenKeyName, tokenValue, tokenSignature];
  const given = tokenFields.filter((field) => field !== undefined).length;
  if (given !== 0 && given !== 3) {
    throw new TypeError(
      "Cannot build custom authorizer credentials: tokenKeyName, tokenValue and tokenSignature " +
        "must be given together",
    );
  }
  if (tokenKeyName === "" || authorizerName === "") {
    throw new TypeError(
      "Cannot build custom authorizer credentials: authorizerName and tokenKeyName must not be empty",
    );
  }
  const params: string[] = [];
  if (authorizerName !== undefined) {
    params.push(`x-amz-customauthorizer-name=${encodeURIComponent(authorizerName)}`);
  }
  if (tokenKeyName !== undefined && tokenValue !== undefined && tokenSignature !== undefined) {
    params.push(`${encodeURIComponent(tokenKeyName)}=${encodeURIComponent(tokenValue)}`);
    const signature = tokenSignature.includes("%")
      ? tokenSignature
      : encodeURIComponent(tokenSignature);
    params.push(`x-amz-customauthorizer-signature=${signature}`);
  }
  return params.join("&");
}

/**
 * The CONNECT username for an AWS IoT custom authorizer:
 * `<username>?x-amz-customauthorizer-name=<name>&<tokenKeyName>=<token>&x-amz-customauthorizer-signature=<signature>`.
 *
 * @example A signed-token authorizer
 * ```ts
 * import { customAuthUsername } from "@tern/aws";
 *
 * console.log(customAuthUsername({
 *   username: "device-1",
 *   authorizerName: "my-authorizer",
 *   tokenKeyName: "token",
 *   tokenValue: "allow",
 *   tokenSignature: "c2lnbmF0dXJl+/=",
 * }));
 * // "device-1?x-amz-customauthorizer-name=my-authorizer&token=allow&x-amz-customauthorizer-signature=c2lnbmF0dXJl%2B%2F%3D"
 * ```
 */
export function customAuthUsername(credentials: CustomAuthCredentials): string {
  const username = credentials.username ?? "";
  const query = customAuthQuery(credentials);
  if (query === "") return username;
  return username + (username.includes("?") ? "&" : "?") + query;
}
