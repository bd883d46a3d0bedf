import { describe, expect, it } from 'vitest';
import { isCalendarDate, lastEndedDay, reportDay } from '../../src/reports/report-day.js';
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
});
