// Case documents are judged by their content, and the name they came with is only a cleaned label.
import { describe, expect, it } from 'vitest';
import { attachmentDisposition, documentLabel } from '../../src/casework/documents/file-name.js';
import { sniffDocumentType } from '../../src/casework/documents/file-type.js';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));

describe('sniffDocumentType', () => {
  it('recognises PDF, JPEG, PNG and WebP by their signatures', () => {
    expect(sniffDocumentType(bytes('%PDF-1.7\n%âãÏÓ'))).toBe('application/pdf');
    expect(sniffDocumentType(bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF'))).toBe('image/jpeg');
    expect(sniffDocumentType(bytes([0x89], 'PNG\r\n\x1a\n', [0, 0, 0, 13], 'IHDR'))).toBe('image/png');
    expect(sniffDocumentType(bytes('RIFF', [0x24, 0x00, 0x00, 0x00], 'WEBPVP8 '))).toBe('image/webp');
  });

  it('refuses HTML, scripts and look-alikes whatever they are called', () => {
    expect(sniffDocumentType(bytes('<!doctype html><script>alert(1)</script>'))).toBeNull();
    expect(sniffDocumentType(bytes('<svg xmlns="http://www.w3.org/2000/svg">'))).toBeNull();
    // A PDF marker later in the file does not make it a PDF.
    expect(sniffDocumentType(bytes('<html>%PDF-1.4'))).toBeNull();
    expect(sniffDocumentType(bytes('%PDF'))).toBeNull();
    // RIFF is also WAV and AVI: only a WEBP form type is an image.
    expect(sniffDocumentType(bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt '))).toBeNull();
    expect(sniffDocumentType(bytes('GIF89a'))).toBeNull();
    expect(sniffDocumentType(bytes([0x89], 'PNG\r\n'))).toBeNull();
  });

  it('refuses empty and truncated heads', () => {
    expect(sniffDocumentType(new Uint8Array())).toBeNull();
    expect(sniffDocumentType(bytes([0xff, 0xd8]))).toBeNull();
    expect(sniffDocumentType(bytes('RIFF', [0x24, 0, 0, 0], 'WEB'))).toBeNull();
  });
});

describe('documentLabel', () => {
  it('keeps only the last segment of a path, whichever separator it uses', () => {
    expect(documentLabel('../../etc/passwd', 'application/pdf')).toBe('passwd.pdf');
    expect(documentLabel('..\\x.pdf', 'application/pdf')).toBe('x.pdf');
    expect(documentLabel('C:\\Users\\lan\\Biên bản họp.pdf', 'application/pdf')).toBe('Biên bản họp.pdf');
    expect(documentLabel('/tmp/../..', 'image/png')).toBe('document.png');
  });

  it('drops control and bidirectional-override characters', () => {
    expect(documentLabel('bao\u0000cao\r\n.pdf', 'application/pdf')).toBe('baocao.pdf');
    // "anh\u202Egnp.exe" would display as "anhexe.png".
    expect(documentLabel('anh\u202Egnp.exe', 'image/png')).toBe('anhgnp.exe.png');
  });

  it('gives the label an extension that matches the content', () => {
    expect(documentLabel('giay-kham.PDF', 'application/pdf')).toBe('giay-kham.PDF');
    expect(documentLabel('anh.jpeg', 'image/jpeg')).toBe('anh.jpeg');
    expect(documentLabel('trang.html', 'image/png')).toBe('trang.html.png');
    expect(documentLabel('', 'image/webp')).toBe('document.webp');
  });

  it('stores Vietnamese names in NFC and bounds their length', () => {
    expect(documentLabel('Bie\u0302n ba\u0309n.pdf', 'application/pdf')).toBe('Biên bản.pdf');
    expect([...documentLabel(`${'ả'.repeat(500)}.pdf`, 'application/pdf')].length).toBeLessThanOrEqual(200);
  });
});

describe('attachmentDisposition', () => {
  it('is always an attachment, with an ASCII fallback and the exact UTF-8 name', () => {
    expect(attachmentDisposition('Biên bản "họp".pdf')).toBe(
      `attachment; filename="Bien ban _hop_.pdf"; filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20%22h%E1%BB%8Dp%22.pdf`,
    );
    expect(attachmentDisposition("a'b(c).pdf")).toBe(`attachment; filename="a'b(c).pdf"; filename*=UTF-8''a%27b%28c%29.pdf`);
  });
});
