import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/reports/build-report.js';
import { isCalendarDate, lastEndedDay, reportDay } from '../../src/reports/report-day.js';
import type { ReportEvent } from '../../src/reports/report-types.js';
import { HOUR_MS } from '../helpers/fixed-clock.js';

const hours = (d: { start: Date; end: Date }) => (d.end.getTime() - d.start.getTime()) / HOUR_MS;

describe('report days', () => {
  it('cut at midnight in New York: 24 hours, from 05:00 UTC in winter and 04:00 UTC in summer', () => {
    expect(reportDay('2026-11-20', 'America/New_York', '00:00')).toEqual({
      date: '2026-11-20',
      start: new Date('2026-11-20T05:00:00Z'),
      end: new Date('2026-11-21T05:00:00Z'),
    });
    expect(reportDay('2026-07-04', 'America/New_York', '00:00').start).toEqual(
      new Date('2026-07-04T04:00:00Z'),
    );
  });

  it('last 23 hours when the clocks spring forward and 25 when they fall back', () => {
    const spring = reportDay('2026-03-08', 'America/New_York', '00:00');
    expect(spring).toMatchObject({
      start: new Date('2026-03-08T05:00:00Z'),
      end: new Date('2026-03-09T04:00:00Z'),
    });
    expect(hours(spring)).toBe(23);
    const fall = reportDay('2026-11-01', 'America/New_York', '00:00');
    expect(fall).toMatchObject({
      start: new Date('2026-11-01T04:00:00Z'),
      end: new Date('2026-11-02T05:00:00Z'),
    });
    expect(hours(fall)).toBe(25);
    expect(hours(reportDay('2026-03-29', 'Europe/London', '00:00'))).toBe(23);
  });

  it('honours a cutoff, even one that falls in the hour a DST change skips or repeats', () => {
    expect(reportDay('2026-11-20', 'America/New_York', '17:00').start).toEqual(
      new Date('2026-11-20T22:00:00Z'),
    );
    // 02:30 does not exist on 8 March: the day starts when clocks read 03:30, at 07:30 UTC.
    const spring = reportDay('2026-03-08', 'America/New_York', '02:30');
    expect(spring.start).toEqual(new Date('2026-03-08T07:30:00Z'));
    expect(hours(spring)).toBe(23);
    // 01:30 happens twice on 1 November: the first.
    expect(reportDay('2026-11-01', 'America/New_York', '01:30').start).toEqual(
      new Date('2026-11-01T05:30:00Z'),
    );
    expect(reportDay('2026-11-20', 'UTC', '00:00').start).toEqual(new Date('2026-11-20T00:00:00Z'));
  });

  it('knows the last day that has ended', () => {
    expect(lastEndedDay(new Date('2026-11-22T03:00:00Z'), 'America/New_York', '00:00').date).toBe(
      '2026-11-20',
    );
    expect(lastEndedDay(new Date('2026-11-22T05:00:00Z'), 'America/New_York', '00:00').date).toBe(
      '2026-11-21',
    );
  });

  it('refuses dates that are not on the calendar', () => {
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-1-05')).toBe(false);
    expect(() => reportDay('2026-13-01', 'UTC', '00:00')).toThrow(/calendar date/);
  });

  it("counts a fall-back day's 25th hour in that day, and not the next day's first", () => {
    const trade = (eventId: string, ts: string): ReportEvent => ({
      eventId,
      userId: 'u1',
      ticker: 'M0',
      type: 'trade',
      ts: new Date(ts),
      receivedAt: new Date(ts),
      contractsHundredths: 100,
      notionalMicros: 500_000,
    });
    // 23:30 EST on 1 November is 04:30 UTC on the 2nd; 00:30 EST on the 2nd is 05:30 UTC.
    const events = [trade('late', '2026-11-02T04:30:00Z'), trade('next', '2026-11-02T05:30:00Z')];
    const settings = { windowHours: 24, clickThroughOnly: false };
    const categories = new Map([['M0', 'Economics']]);
    const nov1 = reportDay('2026-11-01', 'America/New_York', '00:00');
    const nov2 = reportDay('2026-11-02', 'America/New_York', '00:00');
    expect(buildReport(nov1, events, categories, settings).total.trades).toBe(1);
    expect(buildReport(nov2, events, categories, settings).total).toMatchObject({
      trades: 1,
      notional: '0.500000',
    });
  });
});
