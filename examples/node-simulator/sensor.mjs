// A sensor stub for the simulator: a slow daily temperature swing plus noise, and humidity that
// moves against it. Replace read() with your own model or recorded data.
export function createSensor(seed = Date.now()) {
  let n = 0;
  let state = seed % 2147483647 || 1;
  const noise = () => ((state = (state * 48271) % 2147483647) / 2147483647 - 0.5); // small deterministic PRNG
  return {
    read() {
      const phase = (n++ / 60) * 2 * Math.PI; // one swing per 60 readings
      const temperature = Math.round((21 + 2 * Math.sin(phase) + noise() * 0.4) * 10) / 10;
      const humidity = Math.round(45 - 5 * Math.sin(phase) + noise() * 2);
      return { temperature, humidity };
    },
  };
}
