// Parse an iCalendar feed with ical.js (the parser Thunderbird uses) and expand it the way a client does.
// Usage: node expand.cjs FROM_ISO UNTIL_ISO < feed.ics
// Prints JSON: {calendar: {...}, timezones: [...], events: [{uid, recurrenceId, start, end, summary, status, ...}]}
// with every instant in UTC ISO 8601, so the Python tests compare them with what the API says.
"use strict";
const ICAL = require("ical.js");

const [from, until] = process.argv.slice(2).map((s) => ICAL.Time.fromJSDate(new Date(s), true));
const text = require("fs").readFileSync(0, "utf8");
const root = new ICAL.Component(ICAL.parse(text));

const timezones = root.getAllSubcomponents("vtimezone").map((vtz) => {
  const tz = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(tz, vtz.getFirstPropertyValue("tzid"));
  return { tzid: tz.tzid, offsets: vtz.getAllSubcomponents().map((c) => c.getFirstPropertyValue("tzoffsetto").toString()) };
});

const iso = (time) => (time.isDate ? time.toString() : time.toJSDate().toISOString());
const vevents = root.getAllSubcomponents("vevent");
const overrides = {};
for (const vevent of vevents) {
  if (vevent.hasProperty("recurrence-id")) {
    (overrides[vevent.getFirstPropertyValue("uid")] ||= []).push(vevent);
  }
}
const events = [];
for (const vevent of vevents) {
  if (vevent.hasProperty("recurrence-id")) continue;
  const event = new ICAL.Event(vevent);
  for (const exception of overrides[event.uid] || []) event.relateException(exception);
  const common = (source) => ({
    uid: event.uid,
    status: source.component.getFirstPropertyValue("status"),
    sequence: source.sequence,
    location: source.location,
    description: source.description,
    url: source.component.getFirstPropertyValue("url"),
    geo: source.component.getFirstPropertyValue("geo"),
    transp: source.component.getFirstPropertyValue("transp"),
  });
  if (!event.isRecurring()) {
    if (event.endDate.compare(from) > 0 && event.startDate.compare(until) < 0) {
      events.push({ ...common(event), start: iso(event.startDate), end: iso(event.endDate), summary: event.summary, recurrenceId: null, allDay: event.startDate.isDate, tzid: event.startDate.zone.tzid });
    }
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    if (next.compare(until) >= 0) break;
    const details = event.getOccurrenceDetails(next);
    if (details.endDate.compare(from) <= 0) continue;
    events.push({
      ...common(details.item),
      start: iso(details.startDate),
      end: iso(details.endDate),
      summary: details.item.summary,
      recurrenceId: iso(details.recurrenceId),
      allDay: details.startDate.isDate,
      tzid: details.startDate.zone.tzid,
    });
  }
}
const calendar = {
  name: root.getFirstPropertyValue("name") || root.getFirstPropertyValue("x-wr-calname"),
  refreshInterval: String(root.getFirstPropertyValue("refresh-interval")),
  prodid: root.getFirstPropertyValue("prodid"),
};
process.stdout.write(JSON.stringify({ calendar, timezones, events }));
