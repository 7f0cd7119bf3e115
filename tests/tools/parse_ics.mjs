#!/usr/bin/env node
// An independent iCalendar reader for the tests: parses .ics files with ical.js (Mozilla's
// parser, used by Thunderbird) and prints what it understood as JSON, one line per file.
//
//   node tests/tools/parse_ics.mjs a.ics b.ics     (or: ... < a.ics, read from stdin)
//
// Per file: {"file", "method", "events": [{uid, sequence, status, dtstart, dtend, summary,
// location, description, url, organizer: {address, cn}, attendees: [{address, cn, role,
// partstat}]}]}; dtstart/dtend as ISO 8601 in UTC ("2027-02-03T08:00:00Z").
// Exits 1 with a message on stderr when a file cannot be read, is not UTF-8, or does not parse
// as a VCALENDAR; exits 2 when ical.js itself is not installed (run `npm ci`).
//
// The bytes are decoded as strict UTF-8 before unfolding, as ical.js does with a string: a
// multi-octet character split by line folding is reported as an error, not silently mangled.

import { readFileSync } from "node:fs";

let ICAL;
try {
  ICAL = (await import("ical.js")).default;
} catch (error) {
  process.stderr.write(`parse_ics: ical.js is not installed (${error.message}); run \`npm ci\` ` +
    "or `make browser-deps` in the project root\n");
  process.exit(2);
}

function isoUtc(time) {
  if (!time) return null;
  if (time.isDate) return time.toString(); // an all-day date, no time of day
  if (time.zone === ICAL.Timezone.localTimezone) {
    // A floating time (no Z, no TZID): it has no instant, so no UTC form; say so plainly.
    return `${time.toString()} (floating)`;
  }
  const utc = time.convertToZone(ICAL.Timezone.utcTimezone);
  return utc.toString().replace(/\.\d+/, "");
}

function address(property) {
  if (!property) return null;
  const cn = property.getParameter("cn");
  return {
    address: property.getFirstValue(),
    cn: cn === undefined ? null : cn,
  };
}

function text(event, name) {
  const value = event.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
}

function describe(source, name) {
  const component = new ICAL.Component(ICAL.parse(source));
  if (component.name !== "vcalendar") {
    throw new Error(`the top-level component is ${component.name.toUpperCase()}, not VCALENDAR`);
  }
  // Time zones defined in the file, so that DTSTART;TZID=… converts to UTC correctly.
  for (const zone of component.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  const events = component.getAllSubcomponents("vevent").map((event) => {
    const sequence = event.getFirstPropertyValue("sequence");
    return {
      uid: text(event, "uid"),
      sequence: sequence === null ? null : Number(sequence),
      status: text(event, "status"),
      dtstart: isoUtc(event.getFirstPropertyValue("dtstart")),
      dtend: isoUtc(event.getFirstPropertyValue("dtend")),
      summary: text(event, "summary"),
      location: text(event, "location"),
      description: text(event, "description"),
      url: text(event, "url"),
      organizer: address(event.getFirstProperty("organizer")),
      attendees: event.getAllProperties("attendee").map((attendee) => ({
        ...address(attendee),
        role: attendee.getParameter("role") ?? null,
        partstat: attendee.getParameter("partstat") ?? null,
      })),
    };
  });
  return {
    file: name,
    method: text(component, "method"),
    version: text(component, "version"),
    prodid: text(component, "prodid"),
    events,
  };
}

const files = process.argv.slice(2);
const inputs = files.length ? files : ["-"];
const decoder = new TextDecoder("utf-8", { fatal: true });
let failed = false;
for (const name of inputs) {
  try {
    let bytes;
    try {
      bytes = readFileSync(name === "-" ? 0 : name);
    } catch (error) {
      throw new Error(`cannot read: ${error.message}`);
    }
    let source;
    try {
      source = decoder.decode(bytes);
    } catch {
      throw new Error("not valid UTF-8 (a multi-octet character split by line folding?)");
    }
    process.stdout.write(JSON.stringify(describe(source, name)) + "\n");
  } catch (error) {
    process.stderr.write(`parse_ics: ${name === "-" ? "<stdin>" : name}: ${error.message}\n`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
