import fc from 'fast-check';
import { maskAddress, maskIdNumber, maskName, maskPersonalData, maskPhone } from './masking';

describe('masking', () => {
  it.each([
    ['张三', '张*'],
    ['张小三', '张*三'],
    ['欧阳娜娜', '欧**娜'],
    ['Li', 'L*'],
  ])('masks the name %s as %s', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  it('masks the examples of the issue', () => {
    expect(maskIdNumber('370102199003071234')).toBe('370102********1234');
    expect(maskPhone('13856785678')).toBe('138****5678');
    expect(maskPhone('+86 138 5678 5678')).toBe('138****5678');
    expect(maskPhone('0531-86001234')).toBe('0531-****1234');
    expect(maskAddress('山东省济南市历下区解放路112号3单元')).toBe('山东省济南市****');
  });

  it('masks only the fields present', () => {
    expect(maskPersonalData({ name: '王五', phone: '13912345678' })).toEqual({
      name: '王*',
      phone: '139****5678',
    });
  });

  it('never shows a whole id number, phone or name of three or more characters (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{17}[\dX]$/),
        (id) => !maskIdNumber(id).includes(id.slice(6, 14)),
      ),
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^1[3-9]\d{9}$/),
        (phone) => !maskPhone(phone).includes(phone.slice(3, 7)),
      ),
    );
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 3, maxLength: 12, unit: 'grapheme' })
          // A name made of stars would mask to itself: no one is called that.
          .filter(
            (s) => s.trim().length >= 3 && !/^\*+$/.test([...s.trim()].slice(1, -1).join('')),
          ),
        (name) => maskName(name) !== name.trim(),
      ),
    );
  });
});
