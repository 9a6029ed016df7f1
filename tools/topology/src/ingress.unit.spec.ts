import { DEFAULT_SERVICE, ROUTES } from './ingress';

/** nginx takes the first regular-expression location that matches, in ROUTES' order. */
const serviceOf = (path: string): string =>
  ROUTES.find((route) => new RegExp(route.path).test(path))?.service ?? DEFAULT_SERVICE;

describe('the ingress routes', () => {
  it.each([
    ['/api/v1/calendars/2027/preview', 'supervision'],
    ['/api/v1/deadline-policies/preview', 'supervision'],
    ['/api/v1/calendars/2027', 'intake'],
    ['/api/v1/calendars', 'intake'],
    ['/api/v1/deadline-policies', 'intake'],
    ['/api/v1/cases/0193a000-0000-7000-8000-000000000001/deadlines/c1/pause', 'supervision'],
    ['/api/v1/cases/0193a000-0000-7000-8000-000000000001/accept', 'intake'],
  ])('send %s to %s', (path, service) => {
    expect(serviceOf(path)).toBe(service);
  });
});
