/** Error codes in HTTP `{error: {code, message}}` bodies and channel `{reason}` replies. */
export const ErrorCode = {
  invalidNickname: 'invalid_nickname',
  invalidRequest: 'invalid_request',
  notFound: 'not_found',
  unauthorized: 'unauthorized',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ApiError {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}
