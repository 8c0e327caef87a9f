CREATE TABLE `taxonomy_codes` (
	`code` text PRIMARY KEY NOT NULL,
	`parent_code` text,
	`group_kind` text NOT NULL,
	`name_vi` text NOT NULL,
	`name_en` text NOT NULL,
	`sensitive` integer DEFAULT false NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`parent_code`) REFERENCES `taxonomy_codes`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `taxonomy_parent_idx` ON `taxonomy_codes` (`parent_code`);--> statement-breakpoint
CREATE TABLE `non_working_days` (
	`date` text PRIMARY KEY NOT NULL,
	`name_vi` text NOT NULL,
	`name_en` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `children` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`full_name` text NOT NULL,
	`name_folded` text NOT NULL,
	`birth_date` text,
	`estimated_birth_year` integer,
	`sex` text,
	`residence_org_id` integer,
	`school_org_id` integer,
	`class_name` text,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`residence_org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`school_org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `children_school_idx` ON `children` (`school_org_id`,`name_folded`);--> statement-breakpoint
CREATE INDEX `children_residence_idx` ON `children` (`residence_org_id`);--> statement-breakpoint
CREATE TABLE `case_categories` (
	`case_id` integer NOT NULL,
	`code` text NOT NULL,
	PRIMARY KEY(`case_id`, `code`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`code`) REFERENCES `taxonomy_codes`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_categories_code_idx` ON `case_categories` (`code`);--> statement-breakpoint
CREATE TABLE `case_sequences` (
	`year` integer PRIMARY KEY NOT NULL,
	`last` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `case_timeline` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`at` text NOT NULL,
	`actor_user_id` integer,
	`actor_role` text,
	`kind` text NOT NULL,
	`event_type` text,
	`from_state` text,
	`to_state` text,
	`detail` text,
	`confidential` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_timeline_case_idx` ON `case_timeline` (`case_id`,`at`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference` text NOT NULL,
	`org_id` integer NOT NULL,
	`child_id` integer,
	`assigned_user_id` integer,
	`channel` text NOT NULL,
	`state` text NOT NULL,
	`snapshot` text NOT NULL,
	`machine_version` integer NOT NULL,
	`row_version` integer DEFAULT 1 NOT NULL,
	`sensitive` integer DEFAULT false NOT NULL,
	`emergency` integer DEFAULT false NOT NULL,
	`received_at` text NOT NULL,
	`emergency_due_at` text,
	`plan_due_at` text,
	`next_due_at` text,
	`risk_level` text,
	`closed_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`child_id`) REFERENCES `children`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assigned_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_reference_unique` ON `cases` (`reference`);--> statement-breakpoint
CREATE INDEX `cases_org_state_idx` ON `cases` (`org_id`,`state`,`next_due_at`);--> statement-breakpoint
CREATE INDEX `cases_assigned_idx` ON `cases` (`assigned_user_id`,`state`);--> statement-breakpoint
CREATE INDEX `cases_child_idx` ON `cases` (`child_id`);--> statement-breakpoint
CREATE INDEX `cases_state_due_idx` ON `cases` (`state`,`next_due_at`);--> statement-breakpoint
CREATE TABLE `intakes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`channel` text NOT NULL,
	`medium` text NOT NULL,
	`received_at` text NOT NULL,
	`recorded_by` integer,
	`source_org_id` integer,
	`child_name` text NOT NULL,
	`child_birth_date` text,
	`child_estimated_age` integer,
	`child_sex` text,
	`residence_org_id` integer,
	`incident_org_id` integer,
	`incident_place` text,
	`description` text NOT NULL,
	`current_condition` text,
	`likely_consequence` text,
	`action_taken` text,
	`parents_info` text,
	`family_situation` text,
	`caregiver` text,
	`immediate_danger` integer DEFAULT false NOT NULL,
	`reporter_consented` integer DEFAULT false NOT NULL,
	`reporter_relation` text,
	`reporter_name` text,
	`reporter_phone` text,
	`reporter_address` text,
	`receipt_hash` text,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recorded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`source_org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`residence_org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`incident_org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `intakes_case_unique` ON `intakes` (`case_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `intakes_receipt_unique` ON `intakes` (`receipt_hash`);--> statement-breakpoint
CREATE TABLE `flag_categories` (
	`flag_id` integer NOT NULL,
	`code` text NOT NULL,
	PRIMARY KEY(`flag_id`, `code`),
	FOREIGN KEY (`flag_id`) REFERENCES `flags`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`code`) REFERENCES `taxonomy_codes`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `flag_reads` (
	`flag_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`read_at` text NOT NULL,
	PRIMARY KEY(`flag_id`, `user_id`),
	FOREIGN KEY (`flag_id`) REFERENCES `flags`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `flags` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`school_org_id` integer NOT NULL,
	`child_id` integer NOT NULL,
	`created_by` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`description` text NOT NULL,
	`immediate_danger` integer DEFAULT false NOT NULL,
	`body_map` text DEFAULT '[]' NOT NULL,
	`status` text DEFAULT 'new' NOT NULL,
	`lead_context` text,
	`lead_reason` text,
	`decided_by` integer,
	`decided_at` text,
	`case_id` integer,
	FOREIGN KEY (`school_org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`child_id`) REFERENCES `children`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `flags_school_status_idx` ON `flags` (`school_org_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `flags_creator_idx` ON `flags` (`created_by`,`created_at`);--> statement-breakpoint
CREATE TABLE `hotline_calls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`hotline_org_id` integer NOT NULL,
	`operator_user_id` integer NOT NULL,
	`received_at` text NOT NULL,
	`call_type` text NOT NULL,
	`caller_relation` text,
	`case_id` integer,
	FOREIGN KEY (`hotline_org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`operator_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `hotline_calls_org_time_idx` ON `hotline_calls` (`hotline_org_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`revoked_at` text,
	`last_used_at` text,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`api_key_id` integer NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`api_key_id`, `key`),
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
