/** Raised by a serializer for a frame that is not a Phoenix message; the transport closes the socket. */
export class MalformedFrameError extends Error {
  override readonly name = 'MalformedFrameError';
}

/** Raised when a message cannot be represented by a serializer (binary on V1, a field over 255 bytes). */
export class UnencodableMessageError extends Error {
  override readonly name = 'UnencodableMessageError';
}
