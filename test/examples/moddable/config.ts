// Stand-in for Moddable's generated `mc/config`: what the test's "mcconfig" would set.
export default { deviceId: 'xs-example', mqttUrl: 'mqtt://broker.test:1883', intervalS: 1, sntp: 'pool.ntp.org' };
