// The maintenance windows of updater.config, as read from it (pure): the days and times of a
// weekly window. What the service does with them is src/schedule/plan.ts.
//   <maintenance>
//     <window days="saturday,sunday" start="02:00" end="05:00" />
//     <autoInstall module="ecommerce" />  <autoInstall module="database" />
//   </maintenance>

export interface WeeklyWindow {
  /** 0 = Sunday ... 6 = Saturday (Date.getDay). */
  days: number[];
  /** Minutes after midnight; `end` may be lower than `start` (a window over midnight). */
  start: number;
  end: number;
}

export interface AutoInstallPolicy {
  windows: WeeklyWindow[];
  modules: string[];
}

const DAY_NAMES: Record<string, number> = {
  sunday: 0, sun: 0, dimanche: 0, dim: 0,
  monday: 1, mon: 1, lundi: 1, lun: 1,
  tuesday: 2, tue: 2, mardi: 2, mar: 2,
  wednesday: 3, wed: 3, mercredi: 3, mer: 3,
  thursday: 4, thu: 4, jeudi: 4, jeu: 4,
  friday: 5, fri: 5, vendredi: 5, ven: 5,
  saturday: 6, sat: 6, samedi: 6, sam: 6,
};

/** `saturday,sunday` (English or French, full or 3 letters) or `*` for every day; undefined when a name is unknown. */
export function parseDays(text: string): number[] | { unknown: string } {
  if (text.trim() === '*') return [0, 1, 2, 3, 4, 5, 6];
  const days: number[] = [];
  for (const raw of text.split(/[,;\s]+/).filter(Boolean)) {
    const day = DAY_NAMES[raw.toLowerCase()];
    if (day === undefined) return { unknown: raw };
    if (!days.includes(day)) days.push(day);
  }
  return days;
}

const HHMM = /^([01]?\d|2[0-3]):([0-5]\d)$/;

export function parseTimeOfDay(text: string): number | undefined {
  const m = HHMM.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}
