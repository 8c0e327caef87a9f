/**
 * Server-rendered bar charts for the statistics tables: the geometry of an SVG that
 * views/pages/statistics/_chart.eta draws. Small and hidden cells are drawn as such (hatched or
 * dashed, with their "<5" or "x"), never as zero-length bars, and the numbers are always in the
 * table beside the chart.
 */
import type { CellDisplay } from './tables.js';
import type { TableView } from './view.js';

export interface ChartBar {
  label: string;
  labelY: number;
  x: number;
  y: number;
  width: number;
  height: number;
  display: CellDisplay;
  text: string;
  textX: number;
}

export interface Chart {
  id: string;
  width: number;
  height: number;
  bars: ChartBar[];
}

const WIDTH = 360;
const LEFT = 4;
const VALUE_SPACE = 48;
const LABEL_HEIGHT = 16;
const BAR_HEIGHT = 14;
const ROW_GAP = 8;
/** Suppressed bars have a fixed, short length: their value is not known to the reader, so it is not drawn. */
const SUPPRESSED_WIDTH = 22;
const MAX_LABEL = 52;

function shorten(label: string): string {
  return label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label;
}

/** One bar per row of the table, the total left out; each label sits above its bar, so long names fit at 360 px. */
export function chartOf(table: TableView): Chart | null {
  if (table.withheld || table.notMonthly) return null;
  const rows = table.rows.filter((row) => !row.total);
  const max = Math.max(1, ...rows.map((row) => (row.cells[0]?.display === 'count' ? (row.cells[0].value ?? 0) : 0)));
  const span = WIDTH - LEFT - VALUE_SPACE;
  const bars = rows.map((row, i): ChartBar => {
    const cell = row.cells[0] ?? { display: 'count' as const, value: 0, text: '0' };
    const top = i * (LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP);
    const width = cell.display === 'count' ? Math.round((span * (cell.value ?? 0)) / max) : SUPPRESSED_WIDTH;
    return { label: shorten(row.label), labelY: top + LABEL_HEIGHT - 4, x: LEFT, y: top + LABEL_HEIGHT, width, height: BAR_HEIGHT, display: cell.display, text: cell.text, textX: LEFT + width + 4 };
  });
  return { id: `chart-${table.id}`, width: WIDTH, height: Math.max(20, rows.length * (LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP)), bars };
}
