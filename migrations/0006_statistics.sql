CREATE TABLE `stats_counts` (
	`org_id` integer NOT NULL,
	`grp` text NOT NULL,
	`level` text NOT NULL,
	`month` text NOT NULL,
	`metric` text NOT NULL,
	`key` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`org_id`, `grp`, `metric`, `level`, `month`, `key`),
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `stats_dirty` (
	`source` text NOT NULL,
	`source_id` integer NOT NULL,
	PRIMARY KEY(`source`, `source_id`)
);
--> statement-breakpoint
CREATE TABLE `stats_facts` (
	`source` text NOT NULL,
	`source_id` integer NOT NULL,
	`unit_org_id` integer NOT NULL,
	`payload` text NOT NULL,
	PRIMARY KEY(`source`, `source_id`),
	FOREIGN KEY (`unit_org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `stats_facts_unit_idx` ON `stats_facts` (`unit_org_id`,`source`);--> statement-breakpoint
CREATE TABLE `stats_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
