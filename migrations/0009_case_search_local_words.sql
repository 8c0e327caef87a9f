-- Each case's words again, as its organisation's own ("o7x" before each word), so a search within
-- a few organisations reads only their doclists: "tran" is in a tenth of the country's cases, and
-- a prefix like "h"* made FTS5 merge every national doclist it covers. bvte_local_words is the
-- application's localWords (src/search/match.ts), registered by runMigrations.
-- FTS5 tables cannot gain a column, so the index is rebuilt from the old one with the new columns,
-- and without per-column sizes (columnsize = 0): only bm25() reads them, and searches do not rank by it.
CREATE VIRTUAL TABLE case_search_next USING fts5(reference, names, body, org, local_names, local_body, tokenize = 'unicode61', columnsize = 0);
--> statement-breakpoint
INSERT INTO case_search_next (rowid, reference, names, body, org, local_names, local_body)
SELECT case_search.rowid, case_search.reference, case_search.names, case_search.body, case_search.org,
       bvte_local_words(cases.org_id, case_search.reference || char(10) || case_search.names),
       bvte_local_words(cases.org_id, case_search.body)
FROM case_search JOIN cases ON cases.id = case_search.rowid;
--> statement-breakpoint
DROP TABLE case_search;
--> statement-breakpoint
ALTER TABLE case_search_next RENAME TO case_search;
