-- The search index without a copy of its text (content = ''): nothing reads a case's words back
-- out of case_search, only which rows match, and the copy was more than half of the index's size.
-- Deleting a row needs contentless_delete (SQLite 3.43), which keeps per-column sizes. The org
-- column (0008) goes: searches narrow by the local words instead (docs/decisions/0023 and 0024).
-- Later changes to the index rebuild it from the cases (rebuildSearchIndex), not from itself.
CREATE VIRTUAL TABLE case_search_next USING fts5(reference, names, body, local_names, local_body, tokenize = 'unicode61', content = '', contentless_delete = 1);
--> statement-breakpoint
INSERT INTO case_search_next (rowid, reference, names, body, local_names, local_body)
SELECT rowid, reference, names, body, local_names, local_body FROM case_search;
--> statement-breakpoint
DROP TABLE case_search;
--> statement-breakpoint
ALTER TABLE case_search_next RENAME TO case_search;
--> statement-breakpoint
INSERT INTO case_search (case_search) VALUES ('optimize');
