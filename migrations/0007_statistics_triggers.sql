-- stats_counts is only ever read by primary-key range (one organisation, filter and metric at a
-- time, tens of thousands of rows for a national view): WITHOUT ROWID keeps the rows in the key's
-- own b-tree, so a read is one ordered scan instead of a key lookup plus a row lookup per count
-- (docs/decisions/0011). Drizzle's schema cannot say so; the columns and key are unchanged.
DROP TABLE `stats_counts`;
--> statement-breakpoint
CREATE TABLE `stats_counts` (
	`org_id` integer NOT NULL,
	`grp` text NOT NULL,
	`metric` text NOT NULL,
	`level` text NOT NULL,
	`month` text NOT NULL,
	`key` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`org_id`, `grp`, `metric`, `level`, `month`, `key`),
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
-- The statistics refresh queue (src/statistics/refresh.ts). Every write that can change a count
-- queues the case, flag or call it concerns, inside the writing transaction, so nothing is missed
-- whichever module writes; the refresher recomputes the queued rows within a minute.
-- A change to the organisation tree, the taxonomy's grouping or the calendar of days off changes
-- the counting of everything, so it queues a rebuild.
CREATE TRIGGER stats_cases_insert AFTER INSERT ON cases
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('case', NEW.id); END;
--> statement-breakpoint
CREATE TRIGGER stats_cases_update AFTER UPDATE ON cases
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('case', NEW.id); END;
--> statement-breakpoint
CREATE TRIGGER stats_case_categories_insert AFTER INSERT ON case_categories
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('case', NEW.case_id); END;
--> statement-breakpoint
CREATE TRIGGER stats_case_categories_delete AFTER DELETE ON case_categories
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('case', OLD.case_id); END;
--> statement-breakpoint
CREATE TRIGGER stats_intakes_insert AFTER INSERT ON intakes
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('case', NEW.case_id); END;
--> statement-breakpoint
CREATE TRIGGER stats_intakes_update AFTER UPDATE ON intakes
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('case', NEW.case_id); END;
--> statement-breakpoint
CREATE TRIGGER stats_case_timeline_insert AFTER INSERT ON case_timeline
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('case', NEW.case_id); END;
--> statement-breakpoint
CREATE TRIGGER stats_children_update AFTER UPDATE OF sex, birth_date, estimated_birth_year, school_org_id ON children
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) SELECT 'case', id FROM cases WHERE child_id = NEW.id; END;
--> statement-breakpoint
CREATE TRIGGER stats_flags_insert AFTER INSERT ON flags
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('flag', NEW.id); END;
--> statement-breakpoint
CREATE TRIGGER stats_flags_update AFTER UPDATE ON flags
BEGIN
  INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('flag', NEW.id);
  INSERT OR IGNORE INTO stats_dirty (source, source_id) SELECT 'case', NEW.case_id WHERE NEW.case_id IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER stats_flag_categories_insert AFTER INSERT ON flag_categories
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('flag', NEW.flag_id); END;
--> statement-breakpoint
CREATE TRIGGER stats_flag_categories_delete AFTER DELETE ON flag_categories
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('flag', OLD.flag_id); END;
--> statement-breakpoint
CREATE TRIGGER stats_hotline_calls_insert AFTER INSERT ON hotline_calls
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('call', NEW.id); END;
--> statement-breakpoint
CREATE TRIGGER stats_hotline_calls_update AFTER UPDATE ON hotline_calls
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('call', NEW.id); END;
--> statement-breakpoint
CREATE TRIGGER stats_organisations_move AFTER UPDATE OF parent_id ON organisations
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('rebuild', 0); END;
--> statement-breakpoint
CREATE TRIGGER stats_taxonomy_regroup AFTER UPDATE OF parent_code, group_kind ON taxonomy_codes
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('rebuild', 0); END;
--> statement-breakpoint
CREATE TRIGGER stats_non_working_days_insert AFTER INSERT ON non_working_days
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('rebuild', 0); END;
--> statement-breakpoint
CREATE TRIGGER stats_non_working_days_delete AFTER DELETE ON non_working_days
BEGIN INSERT OR IGNORE INTO stats_dirty (source, source_id) VALUES ('rebuild', 0); END;
--> statement-breakpoint
-- A database that already holds cases gets its statistics built on the refresher's first run.
INSERT INTO stats_dirty (source, source_id) VALUES ('rebuild', 0);
