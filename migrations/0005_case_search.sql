-- Full-text search over references, child names and case text. Text is stored folded (lower case,
-- no diacritics, đ→d) by the application, because FTS5's own diacritic removal leaves đ alone.
-- rowid is the case id; the application keeps the index in step in the same transaction as each change.
CREATE VIRTUAL TABLE case_search USING fts5(reference, names, body, tokenize = 'unicode61');
