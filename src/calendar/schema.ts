import { sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Non-working days besides weekends (public holidays, Tết, compensatory days), editable by administrators. */
export const nonWorkingDays = sqliteTable('non_working_days', {
  date: text('date').primaryKey(),
  nameVi: text('name_vi').notNull(),
  nameEn: text('name_en').notNull(),
});
