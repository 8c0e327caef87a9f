-- The case's organisation as a search token ("o" and its id), so a search can ask the full-text
-- index itself for the reader's organisations: a common name matches hundreds of thousands of cases
-- nationally and only a few in one commune. The token narrows; the case.read rules still decide.
-- FTS5 tables cannot gain a column, so the index is rebuilt from the old one with the new column.
CREATE VIRTUAL TABLE case_search_next USING fts5(reference, names, body, org, tokenize = 'unicode61');
--> statement-breakpoint
INSERT INTO case_search_next (rowid, reference, names, body, org)
SELECT case_search.rowid, case_search.reference, case_search.names, case_search.body, 'o' || cases.org_id
FROM case_search JOIN cases ON cases.id = case_search.rowid;
--> statement-breakpoint
DROP TABLE case_search;
--> statement-breakpoint
ALTER TABLE case_search_next RENAME TO case_search;
