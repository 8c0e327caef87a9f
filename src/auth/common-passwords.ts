/** Passwords too common to allow, at or above the minimum length; lower case. Includes Vietnamese favourites. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '1234567890', '12345678910', '0123456789', '1111111111', '0000000000', '1234512345', '9876543210',
  'qwertyuiop', 'password123', 'password1234', 'passw0rd123', 'iloveyou123', 'abc1234567', 'abcd123456',
  'qwerty1234', 'qwerty12345', '1q2w3e4r5t', '1qaz2wsx3edc', 'zaq12wsxcde', 'asdfghjkl1', 'welcome123',
  'admin12345', 'administrator', 'letmein123', 'football123', 'baseball123', 'sunshine123', 'princess123',
  'changeme123', 'trustno1234', 'superman123', 'dragon12345', 'monkey12345', 'starwars123', 'whatever123',
  'matkhau123', 'matkhau1234', 'matkhaumoi', 'anhyeuem123', 'emyeuanh123', 'anhyeuem', 'emyeuanh',
  'yeuemnhieu', 'vietnam123', 'vietnam1234', 'hanoi12345', 'saigon1234', 'hochiminh123', 'baovetreem',
  'baovetreem1', 'baovetreem123', 'tongdai111', 'giaovien123', 'hocsinh123', 'truonghoc123', 'bvte123456',
  'conmeo1234', 'concho1234', 'xinchao123', 'abcxyz1234', 'a123456789', 'aa12345678', 'qwe1234567',
]);
