DROP INDEX IF EXISTS `follow_ups_case_idx`;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `follow_ups_case_due_idx` ON `follow_ups` (`case_id`,`visited_on`,`due_on`);--> statement-breakpoint
DROP INDEX IF EXISTS `services_case_idx`;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `services_case_due_idx` ON `services` (`case_id`,`implemented_on`,`due_on`);