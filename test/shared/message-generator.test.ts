import { expect } from 'expect';
import { generateLocationMessage, generateMessage } from '../../shared/message-generator';

describe('message generator', () => {
  describe('generateMessage', () => {
    it('makes a message from whom, with the text, stamped now in milliseconds', () => {
      const before = Date.now();
      const message = generateMessage('Ada', 'Hello');
      const after = Date.now();
      expect(message).toEqual({ from: 'Ada', text: 'Hello', createdAt: expect.any(Number) });
      expect(Number.isInteger(message.createdAt)).toBe(true);
      expect(message.createdAt).toBeGreaterThanOrEqual(before);
      expect(message.createdAt).toBeLessThanOrEqual(after);
    });

    it('keeps the text as it is: escaping is the page\'s job', () => {
      const text = '<img src=x onerror=alert(1)>';
      expect(generateMessage('Admin', text).text).toBe(text);
    });
  });

  describe('generateLocationMessage', () => {
    it('makes a Google Maps link to the place, stamped now', () => {
      const before = Date.now();
      const message = generateLocationMessage('Ada', 51.5, -0.12);
      expect(message).toEqual({
        from: 'Ada',
        url: 'https://www.google.com/maps?q=51.5,-0.12',
        createdAt: expect.any(Number),
      });
      expect(message.createdAt).toBeGreaterThanOrEqual(before);
      expect(message.createdAt).toBeLessThanOrEqual(Date.now());
    });

    it('handles the corners of the map and zero', () => {
      expect(generateLocationMessage('a', -90, 180).url).toBe('https://www.google.com/maps?q=-90,180');
      expect(generateLocationMessage('a', 0, 0).url).toBe('https://www.google.com/maps?q=0,0');
    });
  });
});
