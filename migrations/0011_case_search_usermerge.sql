-- A 'merge' step (src/search/index-merging.ts) merges the segments of any level that holds two,
-- not four (FTS5's default): a province's search looks each word up in every segment
-- (docs/decisions/0027).
INSERT INTO case_search (case_search, rank) VALUES ('usermerge', 2);
