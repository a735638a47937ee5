/**
 * A subset of Java's `SimpleDateFormat` for the `timestamp` step: letters
 * G y Y M L d D E u a H k K h m s S z Z X, quoted text (`'T'`, `''`), in the
 * process's time zone. Month and day names come from `Intl` for the locale of
 * a 2-letter country (US by default, as Hyperfoil).
 */

export type DateFormatter = (date: Date) => string;

interface Names {
  monthsLong: string[];
  monthsShort: string[];
  daysLong: string[];
  daysShort: string[];
  am: string;
  pm: string;
  era: string;
}

/** A BCP 47 locale for a country: the likely language spoken there. */
export function localeForCountry(country: string | undefined): string {
  if (country === undefined || country.trim() === "") return "en-US";
  const c = country.trim();
  if (!/^[A-Z]{2}$/.test(c)) {
    throw new RangeError(`No locale with 2-letter country code '${c}' available`);
  }
  try {
    const l = new Intl.Locale(`und-${c}`).maximize();
    return `${l.language}-${c}`;
  } catch {
    throw new RangeError(`No locale with 2-letter country code '${c}' available`);
  }
}

function names(locale: string): Names {
  const fmt = (o: Intl.DateTimeFormatOptions, d: Date) =>
    new Intl.DateTimeFormat(locale, { ...o, timeZone: "UTC" }).format(d);
  const months = (style: "long" | "short") =>
    Array.from({ length: 12 }, (_, m) => fmt({ month: style }, new Date(Date.UTC(2021, m, 15))));
  // 2021-08-01 was a Sunday: index 0 is Sunday as in Date.getDay().
  const days = (style: "long" | "short") =>
    Array.from(
      { length: 7 },
      (_, d) => fmt({ weekday: style }, new Date(Date.UTC(2021, 7, 1 + d))),
    );
  const period = (h: number) => {
    const parts = new Intl.DateTimeFormat(locale, {
      hour: "numeric",
      hour12: true,
      timeZone: "UTC",
    })
      .formatToParts(new Date(Date.UTC(2021, 0, 1, h)));
    return parts.find((p) => p.type === "dayPeriod")?.value ?? (h < 12 ? "AM" : "PM");
  };
  return {
    monthsLong: months("long"),
    monthsShort: months("short"),
    daysLong: days("long"),
    daysShort: days("short"),
    am: period(9),
    pm: period(15),
    era: "AD",
  };
}

type Part = string | ((d: Date) => string);

const pad = (n: number, width: number) => {
  const s = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? "-" + s : s;
};

function offset(d: Date, style: "Z" | "X", count: number): string {
  const total = -d.getTimezoneOffset();
  if (style === "X" && total === 0) return "Z";
  const sign = total < 0 ? "-" : "+";
  const h = pad(Math.floor(Math.abs(total) / 60), 2);
  const m = pad(Math.abs(total) % 60, 2);
  if (style === "X") {
    return count === 1 ? sign + h : count === 2 ? sign + h + m : `${sign}${h}:${m}`;
  }
  return sign + h + m;
}

function zoneName(d: Date): string {
  const parts = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d);
  return parts.find((p) => p.type === "timeZoneName")?.value ?? offset(d, "Z", 1);
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  return Math.round(
    (Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) -
      Date.UTC(start.getFullYear(), 0, 1)) / 86400000,
  ) + 1;
}

function field(letter: string, count: number, n: Names): Part {
  switch (letter) {
    case "G":
      return () => n.era;
    case "y":
    case "Y":
      return (d) => count === 2 ? pad(d.getFullYear() % 100, 2) : pad(d.getFullYear(), count);
    case "M":
    case "L":
      if (count >= 4) return (d) => n.monthsLong[d.getMonth()];
      if (count === 3) return (d) => n.monthsShort[d.getMonth()];
      return (d) => pad(d.getMonth() + 1, count);
    case "d":
      return (d) => pad(d.getDate(), count);
    case "D":
      return (d) => pad(dayOfYear(d), count);
    case "E":
      return count >= 4 ? (d) => n.daysLong[d.getDay()] : (d) => n.daysShort[d.getDay()];
    case "u":
      return (d) => pad(d.getDay() === 0 ? 7 : d.getDay(), count);
    case "a":
      return (d) => d.getHours() < 12 ? n.am : n.pm;
    case "H":
      return (d) => pad(d.getHours(), count);
    case "k":
      return (d) => pad(d.getHours() === 0 ? 24 : d.getHours(), count);
    case "K":
      return (d) => pad(d.getHours() % 12, count);
    case "h":
      return (d) => pad(d.getHours() % 12 === 0 ? 12 : d.getHours() % 12, count);
    case "m":
      return (d) => pad(d.getMinutes(), count);
    case "s":
      return (d) => pad(d.getSeconds(), count);
    case "S":
      return (d) => pad(d.getMilliseconds(), count);
    case "z":
      return zoneName;
    case "Z":
      return (d) => offset(d, "Z", count);
    case "X":
      return (d) => offset(d, "X", count);
  }
  throw new RangeError(`Unsupported letter '${letter}' in date format pattern`);
}

/** Compiles a pattern; throws a `RangeError` for letters it does not support. */
export function compileDateFormat(pattern: string, locale = "en-US"): DateFormatter {
  const n = names(locale);
  const parts: Part[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        parts.push("'");
        i += 2;
        continue;
      }
      let text = "";
      i++;
      while (i < pattern.length) {
        if (pattern[i] === "'" && pattern[i + 1] === "'") {
          text += "'";
          i += 2;
        } else if (pattern[i] === "'") {
          i++;
          break;
        } else text += pattern[i++];
      }
      parts.push(text);
    } else if (/[A-Za-z]/.test(c)) {
      let count = 1;
      while (pattern[i + count] === c) count++;
      parts.push(field(c, count, n));
      i += count;
    } else {
      parts.push(c);
      i++;
    }
  }
  return (d) => {
    let out = "";
    for (const p of parts) out += typeof p === "string" ? p : p(d);
    return out;
  };
}
