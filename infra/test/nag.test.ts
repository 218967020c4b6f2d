import { validationFindings } from './validation-report';

describe('cdk-nag (AwsSolutions) and the other validation plugins', () => {
  it('leaves no finding unacknowledged in any stack', () => {
    expect(validationFindings()).toEqual([]);
  });
});
