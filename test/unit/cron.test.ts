import { describe, expect, it } from 'vitest';
import { cronProblem } from '../../compiler/validate/cron.js';

describe('cronProblem accepts Kubernetes CronJob schedules', () => {
  it.each([
    ['a fixed time', '0 3 * * *'],
    ['a step over every minute', '*/15 * * * *'],
    ['stepped ranges and month and day names', '0 0 1-15/2 JAN-JUN MON-FRI'],
    ['lower-case names', '0 0 * jan sun'],
    ['a list', '0,15,30,45 9-17 * * 1-5'],
    ['the @daily macro', '@daily'],
    ['the @hourly macro', '@hourly'],
    ['7 as Sunday', '0 0 * * 7'],
    ['surrounding whitespace', '  0 3 * * *  '],
  ])('accepts %s (%s)', (_, schedule) => {
    expect(cronProblem(schedule)).toBeUndefined();
  });
});

describe('cronProblem says what is wrong', () => {
  it.each([
    ['*/0 * * * *', 'minute field "*/0": step 0 must be between 1 and 59'],
    ['0 0 3 * * *', 'has 6 fields; a schedule has 5: minute hour day-of-month month day-of-week'],
    ['0 3 * *', 'has 4 fields; a schedule has 5: minute hour day-of-month month day-of-week'],
    ['60 * * * *', 'minute field "60": 60 is outside 0-59'],
    ['0 24 * * *', 'hour field "24": 24 is outside 0-23'],
    ['0 0 0 * *', 'day of month field "0": 0 is outside 1-31'],
    ['0 0 * 13 *', 'month field "13": 13 is outside 1-12'],
    ['0 0 * * 8', 'day of week field "8": 8 is outside 0-7'],
    ['5-1 * * * *', 'minute field "5-1": range 5-1 runs backwards'],
    ['1-2-3 * * * *', 'minute field "1-2-3": "1-2-3" is not a value or a range'],
    ['1,,2 * * * *', 'minute field "1,,2": is empty'],
    ['*/x * * * *', 'minute field "*/x": step "x" is not a number'],
    ['0 0 * 1/13 *', 'month field "1/13": step 13 must be between 1 and 12'],
    ['0 0 * FOO *', 'month field "FOO": "FOO" is not a month'],
    ['0 0 * * MON#2', 'day of week field "MON#2": "MON#2" is not a day of week'],
    ['0 0 L * *', 'day of month field "L": "L" is not a day of month'],
    ['@fortnightly', 'unknown macro "@fortnightly"; use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly'],
    ['TZ=UTC 0 * * * *', 'time zones inside the schedule are not supported by Kubernetes; schedules run in the cluster time zone (UTC)'],
    ['CRON_TZ=Europe/Paris 0 * * * *', 'time zones inside the schedule are not supported by Kubernetes; schedules run in the cluster time zone (UTC)'],
  ])('rejects %s: %s', (schedule, problem) => {
    expect(cronProblem(schedule)).toBe(problem);
  });

  it('reports the first bad field only, left to right', () => {
    expect(cronProblem('0 99 99 * *')).toBe('hour field "99": 99 is outside 0-23');
  });
});
