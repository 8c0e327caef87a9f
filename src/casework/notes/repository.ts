import { sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { reindexCase } from '../../search/index.js';
import { recordCasework, type CaseworkWriter } from '../record.js';
import { caseNotes } from '../schema.js';

export interface NoteItem {
  id: number;
  text: string;
  confidential: boolean;
  createdAt: string;
  authorName: string | null;
}

/**
 * A case's notes, newest first. Confidential notes are left out in the query itself unless the reader
 * may see them, so no later step can show them by mistake.
 */
export function notesOf(db: DbOrTx, caseId: number, includeConfidential: boolean): NoteItem[] {
  return db
    .all<Omit<NoteItem, 'confidential'> & { confidential: number }>(sql`
      SELECT n.id, n.text, n.confidential, n.created_at AS createdAt, u.display_name AS authorName
      FROM case_notes n LEFT JOIN users u ON u.id = n.created_by
      WHERE n.case_id = ${caseId} ${includeConfidential ? sql`` : sql`AND n.confidential = 0`}
      ORDER BY n.created_at DESC, n.id DESC`)
    .map((row) => ({ ...row, confidential: Boolean(row.confidential) }));
}

/**
 * The note, its timeline entry and the search index, in the caller's transaction. The entry carries
 * the text (under `note`, which the timeline shows) and the same confidentiality, which the timeline honours.
 */
export function addNote(tx: Tx, writer: CaseworkWriter, caseId: number, note: { text: string; confidential: boolean }, at = new Date().toISOString()): void {
  tx.insert(caseNotes).values({ caseId, text: note.text, confidential: note.confidential, createdBy: writer.actor.userId, createdAt: at }).run();
  recordCasework(tx, writer, caseId, { kind: 'note', detail: { note: note.text }, confidential: note.confidential, at }, 'case.note_add');
  // Confidential notes are never searchable, so only an open note changes the search index.
  if (!note.confidential) reindexCase(tx, caseId);
}
