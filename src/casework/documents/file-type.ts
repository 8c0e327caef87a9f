/**
 * What an uploaded file really is, judged by its first bytes. The extension and the Content-Type a
 * browser sends are the uploader's claims; a page saved as "report.pdf" is still HTML, and served
 * back as such it would run in the application's origin. Only these four formats are accepted.
 */

export const DOCUMENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** How many leading bytes sniffing needs: "RIFF", a 4-byte size, then "WEBP". */
export const SNIFF_BYTES = 12;

/** The extensions a download of each type may carry, the first being the one added when none fits. */
export const DOCUMENT_EXTENSIONS: Record<DocumentType, readonly string[]> = {
  'application/pdf': ['pdf'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/webp': ['webp'],
};

const ascii = (text: string): number[] => [...text].map((char) => char.charCodeAt(0));

/** Each signature: bytes that must appear at an offset. */
const SIGNATURES: readonly { type: DocumentType; parts: readonly { at: number; bytes: readonly number[] }[] }[] = [
  { type: 'application/pdf', parts: [{ at: 0, bytes: ascii('%PDF-') }] },
  { type: 'image/jpeg', parts: [{ at: 0, bytes: [0xff, 0xd8, 0xff] }] },
  { type: 'image/png', parts: [{ at: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] }] },
  {
    type: 'image/webp',
    parts: [
      { at: 0, bytes: ascii('RIFF') },
      { at: 8, bytes: ascii('WEBP') },
    ],
  },
];

/** The file's type from its leading bytes, or null when it is none of the accepted formats. */
export function sniffDocumentType(head: Uint8Array): DocumentType | null {
  const matches = (at: number, bytes: readonly number[]): boolean => bytes.every((byte, index) => head[at + index] === byte);
  return SIGNATURES.find((signature) => signature.parts.every((part) => matches(part.at, part.bytes)))?.type ?? null;
}
